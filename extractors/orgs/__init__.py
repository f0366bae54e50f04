"""Organisations that are not firms (media, governments, agencies) and authorities with the
country or bloc they act for: the `tradeline_orgs` component and who acts in an event."""
