"""The online hall (网上办事大厅) at /me/: accounts, online filing and tracking. Thin views over
hall.accounts, hall.online_intake, hall.sms_codes and hall.lookup.
"""
