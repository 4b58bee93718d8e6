STILL_GROWING: dict[str, str] = {}
