"""进度查询: progress lookup by receipt and code, or by identity and an SMS code."""
