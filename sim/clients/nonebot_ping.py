"""NoneBot 2 with its OneBot v11 adapter, unchanged, answering `/ping` with `pong`.

Configured the NoneBot way, by environment variables: forward WebSocket with
`DRIVER=~websockets+~httpx ONEBOT_WS_URLS='["ws://127.0.0.1:PORT/"]'`, reverse WebSocket with
`DRIVER=~fastapi+~websockets+~httpx HOST=127.0.0.1 PORT=N` (the sim connects to
`ws://127.0.0.1:N/onebot/v11/ws`); `ONEBOT_ACCESS_TOKEN` as the sim's token. Prints one JSON
line per `/ping` handled. Run by `cargo xtask clients`.
"""
import json

import nonebot
from nonebot import on_command
from nonebot.adapters.onebot.v11 import Adapter, Bot, MessageEvent

nonebot.init(command_start=["/"])
nonebot.get_driver().register_adapter(Adapter)

ping = on_command("ping")


@ping.handle()
async def _(bot: Bot, event: MessageEvent):
    # Printed once the send is answered: the sim has recorded it by then.
    await ping.send("pong")
    print(json.dumps({"handled": event.message_type, "user": event.get_user_id()}), flush=True)
    await ping.finish()


if __name__ == "__main__":
    nonebot.run()
