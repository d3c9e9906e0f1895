"""Residents' inquiries (相談対応): intake, the desk, replies in their language, reports."""
