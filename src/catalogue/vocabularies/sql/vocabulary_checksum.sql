SELECT checksum FROM vocabulary_sources WHERE source = $1
