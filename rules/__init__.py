"""Text classification for Mention Desk: cues, the trained spaCy pipeline and the thank-you gate."""
