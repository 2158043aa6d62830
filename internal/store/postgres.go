package store

// The only import of the PostgreSQL driver; it registers "pgx" with database/sql.
import _ "github.com/jackc/pgx/v5/stdlib"
