"""The Event's one home: where a calendar item becomes a Salesforce Event, and back.

``mapping``   the default Event table (which attribute ⇄ which field, which way)
``timing``    start/end/all-day ⇄ StartDateTime/EndDateTime or IsAllDayEvent/ActivityDate
``attendees`` the attendee fingerprint and the EventRelation rows the invitees become
``links``     the new Event's owner (organizer when a user) and its WhoId/WhatId auto-links
``relations`` EventRelation specs and the diff that makes an Event's rows equal to them
``recurrence_fields`` a Salesforce series' Recurrence* pattern fields ⇄ an RRULE
Series are expanded in ``app.sync.recurrence``; the planner (``app.sync.plan``) calls these.
"""
