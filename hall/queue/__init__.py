"""排队叫号: queue tickets from the kiosk, calling at the windows, the display board, and the
queue statistics that supervision reads.

Numbers. A ticket's number is its category's letter and that category's sequence of the day
(A001, A002 … B001 …), drawn from `hall.cases.numbering.counter_next` under a row lock in the same
transaction as the ticket, so the numbers have no gaps and no duplicates under concurrent kiosks.

Queue order at a window (what `ticket_call_next` applies):

1. tickets transferred to this window (转窗), oldest ticket first: the applicant was already
   called once and does not queue again from the back;
2. then the untransferred tickets of the categories the window serves (`Window.categories`),
   oldest ticket first.

A transferred ticket waits for its target window only; no other window calls it. Two windows
calling at the same instant never get the same ticket: the pick is `SELECT … FOR UPDATE SKIP
LOCKED` and the change is a conditional update on the status.

Times on a ticket:

- `issued_at`: taken at the kiosk.
- `called_at`: the latest call to a window. A recall (重呼) does not move it; the call at the
  window a ticket was transferred to does. Waiting time (`called_at − issued_at`) is therefore
  the time until the window that finally served the applicant called them.
- `served_at` / `finished_at`: service at the window that finished the ticket; a transfer clears
  `served_at`. A ticket finished without "start serving" counts its service from the call.
  A no-show (过号) gets `finished_at` but no `served_at`, so it has no service time.

Every state change is conditional on the state it starts from and on the clerk's window, and a
repeat of a change that already happened returns the ticket unchanged (a double click is safe).
"""
