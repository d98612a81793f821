-- Where an acquisition's money came from (the teacher's account) and where it is now.
SELECT (SELECT from_account FROM transfers WHERE acquisition_id = $1 ORDER BY id LIMIT 1)
           AS origin,
       (SELECT to_account FROM transfers WHERE acquisition_id = $1 ORDER BY id DESC LIMIT 1)
           AS current
