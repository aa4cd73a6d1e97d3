"""One more "web server" for the rate-limit tests: its own process, its own app.

    python -m tests.ratelimit_server DATABASE_URL STORAGE_URI KEY_PREFIX EMAIL ATTEMPTS

builds the app as a web server would (its own Limiter state, counters in STORAGE_URI), tries
to sign in ATTEMPTS times with a wrong password from one address, and prints the statuses
as JSON. Two of these with the same Redis share one limit; with memory:// they cannot.
A separate process, because the Limiter extension object is bound to one app per process.
"""

import json
import sys


def main(database_url: str, storage_uri: str, prefix: str, email: str, attempts: int) -> None:
    from app import create_app
    from tests.factories import TEST_PASSWORD_HASH

    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "SQLALCHEMY_DATABASE_URI": database_url,
                      # The suite's password cost (tests/factories.py), as in its own app.
                      "PASSWORD_HASH_PARAMETERS": TEST_PASSWORD_HASH,
                      "RATELIMIT_STORAGE_URI": storage_uri, "RATELIMIT_KEY_PREFIX": prefix})
    client = app.test_client()
    statuses = []
    for _attempt in range(attempts):
        with app.app_context():
            token = client.get("/api/v1/session").get_json()["csrf_token"]
            response = client.post("/login", data={"csrf_token": token, "email": email,
                                                   "password": "not the password"},
                                   environ_base={"REMOTE_ADDR": "198.51.100.7"})
        statuses.append(response.status_code)
    print(json.dumps(statuses))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
