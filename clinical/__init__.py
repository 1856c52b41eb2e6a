"""The clinical layer: the patient profile, the reader that fills it from what a clinician types,
the rule core that turns it into cited options, and the answer contract every layer above shares.

It sits below the guardrails and the agent and above the corpus: nothing here imports
`assistant`, `guardrails`, `ui` or `app` (tests/test_layers.py keeps it so).
"""
