"""The queue's categories, their ticket letters and the live states, shared by its services and
selectors."""

from approvals.models import ServiceItem
from hall.models import QueueTicket

Category = ServiceItem.QueueCategory
Status = QueueTicket.Status

# A ticket's number is its category's letter and the day's sequence: A001, B001 ...
CATEGORY_LETTERS: dict[str, str] = {
    Category.GENERAL.value: "A",
    Category.BUSINESS.value: "B",
    Category.CONSTRUCTION.value: "C",
    Category.SOCIAL.value: "D",
}
LETTER_CATEGORIES = {letter: category for category, letter in CATEGORY_LETTERS.items()}
# A called or serving ticket occupies its window.
LIVE = (Status.CALLED, Status.SERVING)
