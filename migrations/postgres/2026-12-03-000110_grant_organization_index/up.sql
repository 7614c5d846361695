-- Who works for an organisation (property firm, department): the notification fan-out asks
-- it for every event that touches a task, and without an index it read every role grant
-- (35 ms at the city tier's 500,000 grants, per event, on the notification worker).
CREATE INDEX role_grants_organization_idx ON role_grants(organization_id, role);
