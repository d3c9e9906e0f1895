"""Announcements: what operators publish — drafts, publishing, views."""
