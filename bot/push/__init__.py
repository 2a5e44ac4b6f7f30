"""Values pushed by any script: a goal's push token, the endpoint that records with it
(``POST /api/goals/values``, served by every HTTP server a run has), and the client
``research-coach metric push`` sends with.

    token = new_token()  # shown to the member once; the store keeps token_hash(token)
    await scope.connect(goal, "push", {}, now, token_hash=token_hash(token),
                        token_hint=token_hint(token))
    server = OpsServer(readiness, routes=PushRoutes(db, clock).routes())
"""

from bot.push.pace import Pace
from bot.push.routes import MAX_BODY, PATH, PushRoutes
from bot.push.send import RECORDED, REFUSED, UNREACHABLE, Sent, endpoint, send
from bot.push.tokens import bearer, new_token, token_hash, token_hint

__all__ = [
    "MAX_BODY",
    "PATH",
    "RECORDED",
    "REFUSED",
    "UNREACHABLE",
    "Pace",
    "PushRoutes",
    "Sent",
    "bearer",
    "endpoint",
    "new_token",
    "send",
    "token_hash",
    "token_hint",
]
