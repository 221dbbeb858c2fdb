"""qq-botpy, pointed at `botgate sim --platform qq`, answering `/ping` with a passive reply.

botpy has no setting for its hosts: its OpenAPI host is `Route.SCHEME` / `Route.DOMAIN` (class
attributes, set here) and its token endpoint is written into `Token.update_access_token`
(replaced here by the same request to the sim). Everything else (login, `/gateway/bot`,
Identify, heartbeats, dispatch, `message.reply`) is botpy's own code.

Usage: SIM_API_BASE=http://127.0.0.1:PORT python3 botpy_ping.py APP_ID SECRET. Prints one JSON
line per `/ping` answered. Run by `cargo xtask clients`.
"""
import json
import os
import sys
import time

import aiohttp
import botpy
from botpy.http import Route
from botpy.message import Message
from botpy.robot import Token

API = os.environ["SIM_API_BASE"]
Route.SCHEME, Route.DOMAIN = API.split("://", 1)


async def update_access_token(self):
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{API}/app/getAppAccessToken",
            json={"appId": self.app_id, "clientSecret": self.secret},
        ) as response:
            data = await response.json()
    self.access_token = data["access_token"]
    self.expires_in = int(data["expires_in"]) + int(time.time())


Token.update_access_token = update_access_token


class Ping(botpy.Client):
    async def on_at_message_create(self, message: Message):
        if "/ping" in message.content:
            await message.reply(content="pong")
            print(json.dumps({"handled": "at_message", "user": message.author.id}), flush=True)


Ping(intents=botpy.Intents(public_guild_messages=True)).run(appid=sys.argv[1], secret=sys.argv[2])
