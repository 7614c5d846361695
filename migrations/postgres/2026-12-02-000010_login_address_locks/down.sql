DROP TABLE login_address_locks;
ALTER TABLE login_throttle RENAME COLUMN delayed_until TO locked_until;
