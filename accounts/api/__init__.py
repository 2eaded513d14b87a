"""The account side of the REST API: device tokens, sign-up and sign-in, play tokens."""
