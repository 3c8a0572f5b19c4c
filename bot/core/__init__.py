"""Platform plumbing: settings, database, clock, logging, migrations, the runtime,
health, security, audit, and the request dependencies every HTTP router shares."""
