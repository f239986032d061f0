"""The customer's touch kiosk: choose a language and a service (or scan an appointment), get a ticket."""
