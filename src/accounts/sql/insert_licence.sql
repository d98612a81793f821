INSERT INTO licences (id, acquisition_id, person_id, offer_id, resource_id, publisher_id,
                      holder_kind, holder, seats, valid_from, valid_until)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
