"""Exchange with the Excel and Word 台账 offices send each other."""
