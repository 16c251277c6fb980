"""Responders: drafting replies from templates, the policy gate, the approval queue and sending."""
