"""Internal mail between families, teachers and the administration [R 4.4], with recipients,
read state and progress summaries.
"""
