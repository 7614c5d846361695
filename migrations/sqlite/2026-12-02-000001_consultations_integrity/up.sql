-- Invitations are unique per meeting and invitee (a user, or an organisation). Duplicates a
-- race may have left are merged first: the earliest invitation stays, keeping an attendance
-- recorded on any of its twins.
UPDATE invitations SET attended = 1
WHERE attended = 0 AND EXISTS (
    SELECT 1 FROM invitations twin
    WHERE twin.consultation_id = invitations.consultation_id
      AND twin.attended = 1
      AND ((twin.user_id = invitations.user_id)
           OR (twin.organization_id = invitations.organization_id))
);
DELETE FROM invitations
WHERE user_id IS NOT NULL AND id > (
    SELECT MIN(keep.id) FROM invitations keep
    WHERE keep.consultation_id = invitations.consultation_id
      AND keep.user_id = invitations.user_id
);
DELETE FROM invitations
WHERE organization_id IS NOT NULL AND id > (
    SELECT MIN(keep.id) FROM invitations keep
    WHERE keep.consultation_id = invitations.consultation_id
      AND keep.organization_id = invitations.organization_id
);
CREATE UNIQUE INDEX invitations_user_once ON invitations(consultation_id, user_id)
    WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX invitations_organization_once ON invitations(consultation_id, organization_id)
    WHERE organization_id IS NOT NULL;
