"""The admin API router: every admin sub-router is included here."""

from fastapi import APIRouter

from admin import auth
from admin.appointments import views as appointments
from admin.persons import messages as person_messages
from admin.persons import notes as person_notes
from admin.persons import status as person_status
from admin.persons import update as person_updates
from admin.persons import views as persons
from admin.referrals import views as referrals
from admin.today import views as today

router = APIRouter()
router.include_router(auth.router)
router.include_router(persons.router)
router.include_router(person_updates.router)
router.include_router(person_notes.router)
router.include_router(person_messages.router)
router.include_router(person_status.router)
router.include_router(appointments.router)
router.include_router(referrals.router)
router.include_router(today.router)
