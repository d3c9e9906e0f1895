"""What browsers and clients reach: the JSON API, the console, boards, resident pages."""
