"""What the three Qt apps share, kept small: translator bridge, fonts, worker threads, event feed, bootstrap."""
