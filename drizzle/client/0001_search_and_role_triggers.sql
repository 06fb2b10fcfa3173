-- What drizzle's schema cannot say. SQLite forbids subqueries in CHECK, so "every element
-- of user.roles is a known role" is a BEFORE trigger; the shape (a JSON array) stays a
-- CHECK in 0000, and the triggers only look inside a value that already has that shape.
-- A backslash is refused too: roles are plain words, and without \u escapes the text
-- `"admin"` is in the array exactly when the role is (the per-role indexes rely on it).
CREATE TRIGGER `user_roles_known_insert` BEFORE INSERT ON `user`
WHEN json_valid(new.roles) AND json_type(new.roles) = 'array'
  AND (instr(new.roles, '\') > 0 OR EXISTS (SELECT 1 FROM json_each(new.roles) WHERE type <> 'text' OR value NOT IN ('student', 'teacher', 'admin', 'champion', 'superadmin')))
BEGIN
  SELECT RAISE(ABORT, 'user.roles: unknown role ' || coalesce((SELECT quote(value) FROM json_each(new.roles) WHERE type <> 'text' OR value NOT IN ('student', 'teacher', 'admin', 'champion', 'superadmin') LIMIT 1), '(written with a \ escape)') || ' (known roles: student, teacher, admin, champion, superadmin)');
END;
--> statement-breakpoint
CREATE TRIGGER `user_roles_known_update` BEFORE UPDATE OF `roles` ON `user`
WHEN json_valid(new.roles) AND json_type(new.roles) = 'array'
  AND (instr(new.roles, '\') > 0 OR EXISTS (SELECT 1 FROM json_each(new.roles) WHERE type <> 'text' OR value NOT IN ('student', 'teacher', 'admin', 'champion', 'superadmin')))
BEGIN
  SELECT RAISE(ABORT, 'user.roles: unknown role ' || coalesce((SELECT quote(value) FROM json_each(new.roles) WHERE type <> 'text' OR value NOT IN ('student', 'teacher', 'admin', 'champion', 'superadmin') LIMIT 1), '(written with a \ escape)') || ' (known roles: student, teacher, admin, champion, superadmin)');
END;
--> statement-breakpoint
-- Member search. External content: the text lives once, in `user`; the index follows it
-- through the triggers below. `user` has no INTEGER PRIMARY KEY, so its rowid is what links
-- the two: never VACUUM this file without a following
-- INSERT INTO user_fts(user_fts) VALUES('rebuild').
-- prefix = '1 2 3': search-as-you-type starts with one or two letters, and without prefix
-- indexes such a query merges the doclists of every term that starts with them.
CREATE VIRTUAL TABLE `user_fts` USING fts5(
  name,
  email,
  content = 'user',
  content_rowid = 'rowid',
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '1 2 3'
);
--> statement-breakpoint
CREATE TRIGGER `user_fts_after_insert` AFTER INSERT ON `user` BEGIN
  INSERT INTO user_fts (rowid, name, email) VALUES (new.rowid, new.name, new.email);
END;
--> statement-breakpoint
CREATE TRIGGER `user_fts_after_delete` AFTER DELETE ON `user` BEGIN
  INSERT INTO user_fts (user_fts, rowid, name, email) VALUES ('delete', old.rowid, old.name, old.email);
END;
--> statement-breakpoint
CREATE TRIGGER `user_fts_after_update` AFTER UPDATE OF `name`, `email` ON `user` BEGIN
  INSERT INTO user_fts (user_fts, rowid, name, email) VALUES ('delete', old.rowid, old.name, old.email);
  INSERT INTO user_fts (rowid, name, email) VALUES (new.rowid, new.name, new.email);
END;
--> statement-breakpoint
-- Rows that already exist when this migration runs (an upgrade) join the index too.
INSERT INTO user_fts (user_fts) VALUES ('rebuild');
