"""The journal and what is read from it: lessons, topics, homework, marks, attendance, weighted
averages, final marks and their rules [R 3.4, 5], the thematic plan, a family's diary.
"""
