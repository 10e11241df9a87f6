/** Department and dataset ids: lowercase identifiers, usable as Glue database and table names. */
export const ID_PATTERN = /^[a-z][a-z0-9_]*$/;
