"""Every sentence the kiosk says to a customer, keyed by state or error code (translated at display time)."""

from __future__ import annotations

from ground.i18n import N_, NATIVE_NAMES

#: The node's error codes, as a customer should read them.
NODE_ERRORS: dict[str, str] = {
    "service_closed": N_("This service is closed at the moment."),
    "service_full": N_("No more tickets can be issued for this service today."),
    "rate_limited": N_("Please wait a moment before taking another ticket."),
    "appointment_used": N_("This appointment has already been checked in."),
    "appointment_expired": N_("This appointment has expired. Please take a ticket or ask a member of staff."),
    "appointment_too_early": N_("It is too early to check in for this appointment. Please come back later."),
    "appointment_wrong_day": N_("This appointment is for another day."),
    "unknown_service": N_("This service is not available at this branch."),
}
GENERIC_ERROR = N_("Sorry, something went wrong. Please try again or ask a member of staff.")

#: Scans the kiosk refuses.
SCAN_REFUSED = N_("This code is not recognised. Please scan the code from your appointment confirmation.")
SCAN_FORGED = N_("This code is not valid for this branch. Please ask a member of staff.")

#: "Already checked in", with the number the customer already has (the node's error details carry it).
APPOINTMENT_USED_NUMBER = N_("This appointment has already been checked in. Your number is {number}.")

#: Why a ticket shown on screen was not printed, by printer state ("none": a kiosk without a printer).
PRINTER_REASONS: dict[str, str] = {
    "paper_out": N_("The printer is out of paper."),
    "cover_open": N_("The printer is not available."),
    "error": N_("The printer is not available."),
    "offline": N_("The printer is not available."),
    "unknown": N_("The printer is not available."),
    "none": "",
}
#: What to do instead of taking the paper: with a public tracking page, or without one (no online promise).
KEEP_WITH_LINK = N_("Please take a photo of this screen, or scan the QR code with your phone to follow your turn.")
KEEP_NO_LINK = N_("Please take a photo of this screen: it shows your number.")
PRINTED = N_("Please take your ticket.")
#: Under the QR on screen.
QR_LINK = N_("Scan with your phone to follow your turn")
QR_AT_KIOSK = N_("Scan this code at the kiosk to see your place in the queue")

#: On the home screen while the printer cannot print, before the customer chooses.
HOME_PRINTER: dict[str, str] = {
    "paper_out": N_("The printer is out of paper: your number will be shown on the screen."),
    "other": N_("The printer is not working: your number will be shown on the screen."),
}

CHOOSE_SERVICE = N_("Please choose a service")
PRIORITY_CHOOSE_SERVICE = N_("Priority ({category}): please choose a service")
PRIORITY_ENTRY = N_("Priority")
PRIORITY_TICKET = N_("Priority: {category}")
APPOINTMENT_AT = N_("Appointment at {time}")

NOBODY_AHEAD = N_("You are next")
PEOPLE_AHEAD = N_("People ahead of you: {n}")
WAIT_ABOUT = N_("Estimated wait: about {duration}")
#: The node has no estimate only when no counter serving the service is open: screen and paper say so alike.
WAIT_UNKNOWN = N_("No counter is open for this service yet")
TILE_WAITING = N_("{n} waiting")
TILE_NO_COUNTER = N_("No counter open yet")
TILE_NOBODY_WAITING = N_("Nobody waiting")
TILE_NO_WAIT = N_("No wait")
TILE_WAIT = N_("About {duration}")
TILE_CLOSED = N_("Closed")
TILE_OPENS_TODAY = N_("Closed · opens at {time}")
TILE_OPENS_TOMORROW = N_("Closed · opens tomorrow at {time}")
TILE_OPENS_DAY = N_("Closed · opens {day} at {time}")

TICKET_STATUS: dict[str, str] = {
    "waiting": N_("Ticket {number} is waiting. People ahead: {n}."),
    "called": N_("Ticket {number} is called: please go to counter {counter}."),
    "serving": N_("Ticket {number} is being served at counter {counter}."),
    "parked": N_("Ticket {number} is on hold. You will be called again."),
    "served": N_("Ticket {number} has been served."),
    "no_show": N_("Ticket {number} was called but nobody came. Please take a new ticket."),
    "cancelled": N_("Ticket {number} was cancelled."),
    "expired": N_("Ticket {number} has expired. Please take a new ticket."),
}

#: Each language's name in its own script, for the language buttons.
LANGUAGE_NAMES = NATIVE_NAMES
