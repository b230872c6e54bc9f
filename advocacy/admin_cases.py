"""Admin pages of this area of advocacy (filled in with the area)."""
