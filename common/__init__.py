"""What the CMS and the portal share without importing each other: plain Python, no Django."""
