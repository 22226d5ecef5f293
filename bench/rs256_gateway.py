"""A gateway that verifies real RS256 ID tokens against a loopback stand-in for Google's cert endpoint.

The bench starts it beside the dev stack (whose gateway takes emulator tokens, which skip the signature check):
`python bench/rs256_gateway.py <cert-url> <identity-toolkit-url>`, with the gateway's usual `GATEWAY_*` variables and
no emulator variable; the second URL answers the user lookup behind the revocation check.
"""

from __future__ import annotations

import os
import sys

import firebase_admin._token_gen
import firebase_admin._user_mgt

from gateway.settings import EMULATOR_HOST_VARIABLE, Settings
from storyscape_common.app import serve

if __name__ == "__main__":
    if os.environ.get(EMULATOR_HOST_VARIABLE):
        sys.exit(f"{EMULATOR_HOST_VARIABLE} is set: this gateway must check signatures")
    # The SDK reads this module constant when it first fetches certs; the URL points at the bench's cert server.
    firebase_admin._token_gen.ID_TOKEN_CERT_URI = sys.argv[1]
    firebase_admin._user_mgt.UserManager.ID_TOOLKIT_URL = sys.argv[2]
    serve("gateway.main:create_app", Settings())
