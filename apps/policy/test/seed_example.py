"""The seed's example: put the ARCHITECTURE.md document with `requests`.

Run by apps/policy/src/policy.int-spec.ts; only BASE and TOKEN differ from the seed.
"""
import os

import requests

BASE = os.environ["BASE"]
TOKEN = os.environ["TOKEN"]

policy = {
    "model": "qwen3-7b-chat",
    "mode": "enforce",
    "rules": [
        {
            "id": "researchers",
            "effect": "allow",
            "principal": {"type": "role", "value": "researcher"},
            "operations": ["infer", "view"],
            "conditions": {"ip_range": ["10.0.0.0/8", "192.168.1.0/24"], "rate_limit": "100req/min"},
        },
        {
            "principal": {"type": "user", "value": "alice@company.com"},
            "operations": ["infer", "train", "download"],
            "conditions": {"valid_until": "2025-12-31T23:59:59Z"},
        },
    ],
}

resp = requests.put(f"{BASE}/v1/acl/model", json=policy, headers={"Authorization": f"Bearer {TOKEN}"})
resp.raise_for_status()
print(resp.status_code, resp.headers.get("ETag"), resp.json()["version"])
