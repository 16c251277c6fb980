"""Alerts: rules that decide what a brand's team must hear about now (rules.py), the targets that tell them
(targets.py), and one check that evaluates every rule, stores each alert and delivers it (check.py)."""
