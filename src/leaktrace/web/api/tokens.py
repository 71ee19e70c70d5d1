"""``/api/v1/tokens`` (admin): create an API token for a user (shown once), revoke one.

A token acts as its user, so minting one for another user is impersonation: it needs a
``reason`` (audited with the token, as ``token.create`` ``minted_by`` and ``reason``).
"""

from __future__ import annotations

from fastapi import APIRouter

from leaktrace.web.deps import TokenId, WorkspaceDep, require
from leaktrace.web.schemas import TokenCreate, TokenPublic

router = APIRouter(prefix="/tokens", tags=["tokens"])


@router.post("", response_model=TokenPublic, status_code=201)
def create_token(body: TokenCreate, ws: WorkspaceDep, user: require("tokens")) -> dict:
    """A new token; ``token`` is the secret, in this answer only."""
    return ws.create_token(body.user, name=body.name, actor=user.name, reason=body.reason or None).to_dict()


@router.delete("/{token_id}", response_model=TokenPublic)
def revoke_token(token_id: TokenId, ws: WorkspaceDep, user: require("tokens")) -> dict:
    return ws.revoke_token(token_id, actor=user.name).to_dict()
