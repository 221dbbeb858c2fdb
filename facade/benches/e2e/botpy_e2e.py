"""qq-botpy against botgate's blast sender: the same frames, the same no-op handler.

Usage: python3 botpy_e2e.py WS_URL N. Skips the HTTP login (token and gateway discovery: the
blast sender is only a gateway) and connects botpy's own gateway client to WS_URL; prints
one line when the N-th AT_MESSAGE_CREATE reached its handler, then exits.
"""
import json
import os
import sys
import time

import botpy
from botpy.connection import ConnectionSession
from botpy.robot import Robot, Token

URL, N = sys.argv[1], int(sys.argv[2])


async def check_token(self):
    self.access_token = "blast"
    self.expires_in = int(time.time()) + 7200


Token.check_token = check_token


class Bench(botpy.Client):
    handled = 0
    first = None

    async def _bot_login(self, token):
        self._ws_ap = {
            "url": URL,
            "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1},
        }
        self._connection = ConnectionSession(
            max_async=1, connect=self.bot_connect, dispatch=self.ws_dispatch, loop=self.loop, api=self.api
        )
        self._connection.state.robot = Robot({"id": "6158788878435714165", "username": "botgate-blast", "avatar": ""})

    async def on_at_message_create(self, message):
        if Bench.first is None:
            Bench.first = time.perf_counter()
        Bench.handled += 1
        if Bench.handled == N:
            seconds = time.perf_counter() - Bench.first
            print(json.dumps({"handled": N, "first_to_last_s": seconds}), flush=True)
            os._exit(0)


Bench(intents=botpy.Intents(public_guild_messages=True)).run(appid="1", secret="blast")
