"""Writes vectors.json: webhook signatures computed independently of botgate.

QQ: Ed25519 (pyca/cryptography) with the 32-byte seed = the bot secret repeated until it is
at least 32 bytes long, then cut to 32. Bubble: HMAC-SHA256 (Python's hmac + hashlib).
Run: python3 testdata/webhook/make_vectors.py > testdata/webhook/vectors.json
"""
import hashlib
import hmac
import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def qq_key(secret: str) -> Ed25519PrivateKey:
    seed = secret.encode()
    while len(seed) < 32:
        seed += secret.encode()
    return Ed25519PrivateKey.from_private_bytes(seed[:32])


def public_hex(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def qq_validation(secret, plain_token, event_ts):
    key = qq_key(secret)
    sig = key.sign((event_ts + plain_token).encode()).hex()
    return {"secret": secret, "public_key": public_hex(key), "plain_token": plain_token,
            "event_ts": event_ts, "signature": sig}


def qq_event(secret, timestamp, body):
    key = qq_key(secret)
    sig = key.sign(timestamp.encode() + body.encode()).hex()
    return {"secret": secret, "public_key": public_hex(key), "timestamp": timestamp,
            "body": body, "signature": sig}


def bubble(secret, body):
    mac = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    return {"secret": secret, "body": body, "signature": "sha256=" + mac}


QQ_DOC_SECRET = "DG5g3B4j9X2KOErG"  # the example bot of QQ's event-emit page
GROUP_AT = ('{"op":0,"id":"GROUP_AT_MESSAGE_CREATE:abc","t":"GROUP_AT_MESSAGE_CREATE",'
            '"d":{"id":"ROBOT1.0_x","content":" /ping","group_openid":"G1",'
            '"author":{"member_openid":"M1"},"timestamp":"2026-01-01T12:00:00+08:00"}}')

print(json.dumps({
    "qq_validation": [
        qq_validation(QQ_DOC_SECRET, "Arq0D5A61EgUu4OxUvOp", "1725442341"),
        qq_validation("abc", "qgg8vlvZRS6UYooatFL8Aw", "1654503849680"),
        qq_validation("0123456789abcdef0123456789abcdef-longer-than-32", "tok", "1700000000"),
    ],
    "qq_event": [
        qq_event(QQ_DOC_SECRET, "1725442341", '{"op":0,"d":{},"t":"GATEWAY_EVENT_NAME"}'),
        qq_event("sim-client-secret", "1767225600", GROUP_AT),
        qq_event("\u4e2d\u6587secret", "1767225600", '{"op":0,"d":{"content":"\u4f60\u597d"}}'),
    ],
    "bubble": [
        bubble("whsec-test", '{"type":"MESSAGE_CREATE","data":{"id":1001,"channelId":5,'
                             '"content":"Hello!"}}'),
        bubble("\u5bc6\u94a5", '{"type":"DM_MESSAGE_CREATE","data":{"id":7,"content":"\u4f60\u597d"}}'),
        bubble("k", ""),
    ],
}, indent=2, ensure_ascii=False))
