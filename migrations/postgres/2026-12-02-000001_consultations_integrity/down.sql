DROP INDEX invitations_organization_once;
DROP INDEX invitations_user_once;
