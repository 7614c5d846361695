ALTER TABLE users DROP COLUMN show_name_publicly;
