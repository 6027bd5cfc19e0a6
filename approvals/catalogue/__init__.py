"""The service catalogue (事项清单 / 办事指南): versioning services and the selectors that read it.

Published per 行政许可法 Art. 30: every item shows its legal basis, conditions, procedure, time
limits and the full list of materials. The checklist rule (`required_materials`) lives here so that
the window, the online hall and the guide pages all apply the same one.
"""
