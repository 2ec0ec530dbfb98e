// Measures the admission logic alone on a realistic AdmissionReview.
print("not implemented")
