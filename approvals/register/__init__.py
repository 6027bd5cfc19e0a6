"""/register/: the public register of grant decisions (准予行政许可决定公开, Art. 40).

Anyone may consult it, at home or at the hall's kiosk: the item, the holder (an enterprise by
name, a person masked), the decision's number and date, and the licence's validity. Nothing
else of the case is shown: no identity number, phone or address. Refusals are not published.
"""
