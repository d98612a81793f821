-- Whether the directory knows an establishment, and its state (open, closed...).
SELECT state FROM establishments WHERE uai = $1
