"""The admin API router: every admin sub-router is included here."""

from fastapi import APIRouter

from admin import auth
from admin.appointments import views as appointments
from admin.audit import views as audit
from admin.escalations import views as escalations
from admin.me import views as me
from admin.organisations import opportunities
from admin.organisations import views as organisations
from admin.partner_webhooks import views as partner_webhooks
from admin.persons import case as cases
from admin.persons import data_rights, notes
from admin.persons import messages as person_messages
from admin.persons import referrals as person_referrals
from admin.persons import update as person_updates
from admin.persons import views as persons
from admin.referrals import views as referrals
from admin.reports import views as reports
from admin.telegram_link import views as telegram_link
from admin.today import views as today
from admin.users import views as users

router = APIRouter()
router.include_router(auth.router)
router.include_router(persons.router)
router.include_router(person_updates.router)
router.include_router(person_messages.router)
router.include_router(person_referrals.router)
router.include_router(appointments.router)
router.include_router(referrals.router)
router.include_router(audit.router)
router.include_router(data_rights.router)
router.include_router(escalations.router)
router.include_router(telegram_link.router)
router.include_router(users.router)
router.include_router(me.router)
router.include_router(notes.router)
router.include_router(cases.router)
router.include_router(today.router)
router.include_router(reports.router)
router.include_router(partner_webhooks.router)
router.include_router(organisations.router)
router.include_router(opportunities.router)
