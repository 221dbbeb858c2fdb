// AlemonJS's Bubble client (`BubbleClient` of @alemonjs/bubble), unchanged, answering `/ping`
// with `pong` through its REST API, against `botgate sim --platform bubble`.
//
// The package's entry starts a whole AlemonJS application; its gateway client is used here
// on its own, configured the AlemonJS way: `CFG_PATH` (an alemon.config.yaml with
// `bubble: {token, URL}`) and `BUBBLE_API_BASE` (its REST base). Copied beside a node_modules
// with @alemonjs/bubble, alemonjs, dayjs and ws. Prints one JSON line per `/ping` answered.
// Run by `cargo xtask clients`.
import 'alemonjs';

// Not an export of the package: imported by path, from the node_modules beside this file.
const wss = new URL('./node_modules/@alemonjs/bubble/lib/sdk/wss.js', import.meta.url);
const { BubbleClient } = await import(wss.href);

const client = new BubbleClient();
client.on('MESSAGE_CREATE', async (event) => {
  if (!String(event.content ?? '').includes('/ping')) return;
  await client.sendMessage(event.channelId, { content: 'pong' });
  console.log(JSON.stringify({ handled: 'message', user: String(event.authorId ?? event.author?.id) }));
});
client.connect();
