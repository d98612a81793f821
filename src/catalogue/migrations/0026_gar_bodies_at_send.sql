-- GAR subscription bodies are built by the worker when it first sends a call, from the
-- licence and its resource as they stand then, no longer by the purchase: a PUT or a POST is
-- written to the outbox without its body, and its first attempt stores the body it sent
-- (later attempts and replays send that one again). A DELETE still has none.
ALTER TABLE gar_deliveries DROP CONSTRAINT gar_deliveries_check;  -- (body IS NULL) = (method = 'DELETE')
ALTER TABLE gar_deliveries
    ADD CONSTRAINT gar_deliveries_body_check CHECK (method <> 'DELETE' OR body IS NULL);
