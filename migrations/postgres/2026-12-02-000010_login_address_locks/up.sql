-- Failed logins no longer lock an email for everyone: per email they only slow it down
-- (`delayed_until`, a capped, doubling delay), and the lock is per email and client address.
ALTER TABLE login_throttle RENAME COLUMN locked_until TO delayed_until;
UPDATE login_throttle SET delayed_until = NULL;

-- Failed logins per normalised email (registered or not) and client address ("unknown" when
-- the address is not known); `locked_until` bars that address from that email.
CREATE TABLE login_address_locks (
    email_key TEXT NOT NULL,
    client_addr TEXT NOT NULL,
    failures INTEGER NOT NULL,
    window_started_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    PRIMARY KEY (email_key, client_addr)
);
