/** Loopback connections (the simulator) are refused unless this is set; see docs/security.md. */
process.env.PIPEDRIVE_ALLOW_LOOPBACK = "1";
