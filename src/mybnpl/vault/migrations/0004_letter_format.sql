-- mybnpl schema version 4: formatted letters.
-- body keeps the plain text (what the CLI prints and .txt exports); body_rich, when not NULL, the same letter
-- with its formatting (bold, underline, headings, lists) as mybnpl.core.richtext JSON. NULL = no formatting.
ALTER TABLE letters ADD COLUMN body_rich TEXT;
